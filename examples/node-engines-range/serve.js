const http = require("node:http");

const port = Number(process.env.PORT || 3000);
http
  .createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`hello from node ${process.versions.node.split(".")[0]} chosen from a range\n`);
  })
  .listen(port, "0.0.0.0");
