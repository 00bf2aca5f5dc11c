# A tiny HTTP server on Ruby's standard library (socket), answering every request the same way.
require "socket"

port = Integer(ENV.fetch("PORT", "3000"))
server = TCPServer.new("0.0.0.0", port)
$stdout.sync = true
puts "listening on #{port}"
loop do
  client = server.accept
  while (line = client.gets) && line != "\r\n"
  end
  body = "hello from ruby #{RUBY_VERSION}\n"
  client.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" \
               "Content-Length: #{body.bytesize}\r\nConnection: close\r\n\r\n#{body}")
  client.close
end
