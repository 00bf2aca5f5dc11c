// The library's build step: turbo must run it before the app starts.
const fs = require("fs");
fs.mkdirSync("dist", { recursive: true });
fs.writeFileSync("dist/index.js", 'module.exports = () => "hello from a turborepo workspace";\n');
