// A per-pod nginx config: Debian's nginx serving its default page (/var/www/html, the
// "Welcome to nginx!" page of the nginx package) on port 80, in the foreground, with the pid,
// temp files and logs in the container's own directory so pods never share a file.
export const NGINX_DOCROOT = '/var/www/html';

export function nginxConfig(containerDir: string, port = 80): string {
  const d = containerDir;
  return `# written by the waggle lab kubelet for one container
daemon off;
worker_processes 1;
pid ${d}/nginx.pid;
error_log stderr notice;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  client_body_temp_path ${d}/client_body;
  proxy_temp_path ${d}/proxy;
  fastcgi_temp_path ${d}/fastcgi;
  uwsgi_temp_path ${d}/uwsgi;
  scgi_temp_path ${d}/scgi;
  server {
    listen ${port} default_server;
    root ${NGINX_DOCROOT};
    index index.html index.htm index.nginx-debian.html;
    location / { try_files $uri $uri/ =404; }
  }
}
`;
}
