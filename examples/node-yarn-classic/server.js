const http = require("http");
const fs = require("fs");
const ms = require("ms");

let devDependencyShipped = true;
try {
  require.resolve("left-pad");
} catch {
  devDependencyShipped = false;
}
const body = `${fs.readFileSync("greeting.txt", "utf8").trim()} (${ms(60000)}, dev deps shipped: ${devDependencyShipped})\n`;
http.createServer((req, res) => res.end(body)).listen(Number(process.env.PORT || 3000), "0.0.0.0");
