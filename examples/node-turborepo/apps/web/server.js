const http = require("http");
const greeting = require("@kiln-example/greeting");

http
  .createServer((req, res) => res.end(`${greeting()} (${process.cwd()})\n`))
  .listen(Number(process.env.PORT || 3000), "0.0.0.0");
