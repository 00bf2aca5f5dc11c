import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.get("/", (c) => c.text("hello from hono on yarn berry\n"));
serve({ fetch: app.fetch, hostname: "0.0.0.0", port: Number(process.env.PORT || 3000) });
