// A build step that needs a devDependency; the runtime image must not contain it.
const fs = require("fs");
const leftPad = require("left-pad");
fs.writeFileSync("greeting.txt", leftPad("hello from yarn classic", 25) + "\n");
