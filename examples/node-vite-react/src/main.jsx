import React from "react";
import { createRoot } from "react-dom/client";

function App() {
  return <h1>hello from a vite react single-page app</h1>;
}

createRoot(document.getElementById("root")).render(<App />);
