const express = require("express");

const app = express();
const port = Number(process.env.PORT || 3000);

app.get("/", (_req, res) => {
  res.send(`hello from express on node ${process.version}\n`);
});

app.listen(port, "0.0.0.0", () => console.log(`listening on ${port}`));
