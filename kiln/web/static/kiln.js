// kiln dashboard: progressive enhancement only (every page reads and works without it).
// Copy buttons; on a build page, the live log over SSE (resumes after a dropped connection
// without repeating lines), the live status and the step timeline with per-step durations.
"use strict";
document.documentElement.classList.remove("no-js");

function copyButtons() {
  document.querySelectorAll("[data-copy]").forEach((button) => {
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = "Copied";
      } catch (err) {
        button.textContent = "Copy failed";
      }
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    });
  });
}

function formatSeconds(seconds) {
  if (seconds < 60) return seconds.toFixed(1) + " s";
  const minutes = Math.floor(seconds / 60);
  return minutes + " min " + Math.floor(seconds - minutes * 60) + " s";
}

function liveBuild(log) {
  const buildId = log.dataset.build;
  const follow = document.getElementById("follow");
  const status = document.getElementById("build-status");
  const timeline = document.getElementById("timeline");
  let last = parseInt(log.dataset.after, 10) || 0;

  const scroll = () => { if (follow && follow.checked) log.scrollTop = log.scrollHeight; };
  scroll();

  function showStatus(value) {
    if (status.dataset.status === value) return;
    status.dataset.status = value;
    status.innerHTML = "";
    const badge = document.createElement("span");
    badge.className = "badge badge-" + value;
    badge.textContent = value;
    status.appendChild(badge);
  }

  function showSteps(steps) {
    const byName = new Map(steps.map((s) => [s.name, s]));
    timeline.querySelectorAll("li[data-step]").forEach((item) => {
      const step = byName.get(item.dataset.step);
      const state = step ? step.status : "waiting";
      item.className = "step step-" + state;
      item.querySelector(".step-state").textContent = state;
      if (step && !step.finished_at) item.dataset.started = step.started_at;
      else delete item.dataset.started;
      if (step && step.duration_seconds !== null) {
        item.querySelector(".step-time").textContent = formatSeconds(step.duration_seconds);
      }
    });
  }

  async function refresh() {
    const response = await fetch("/api/v1/builds/" + buildId, { credentials: "same-origin" });
    if (!response.ok) return null;
    const build = await response.json();
    showStatus(build.status);
    showSteps(build.steps);
    return build;
  }

  const ticker = setInterval(() => {  // the running step's duration, counted live
    timeline.querySelectorAll("li[data-started]").forEach((item) => {
      const started = Date.parse(item.dataset.started);
      item.querySelector(".step-time").textContent = formatSeconds((Date.now() - started) / 1000);
    });
  }, 500);

  // Last-Event-ID (sent by EventSource on reconnect) wins over `after` on the server.
  const source = new EventSource("/api/v1/builds/" + buildId + "/logs?after=" + last);
  source.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.seq <= last) return;  // never show a line twice
    last = data.seq;
    const empty = document.getElementById("log-empty");
    if (empty) empty.remove();
    const line = document.createElement("span");
    line.className = "line";
    line.dataset.seq = String(data.seq);
    line.textContent = data.line;
    log.appendChild(line);
    log.appendChild(document.createTextNode("\n"));
    scroll();
  };
  source.addEventListener("status", (event) => {
    showStatus(JSON.parse(event.data).status);
    refresh();
  });
  source.addEventListener("end", async () => {
    source.close();
    clearInterval(ticker);
    await refresh();
    // The finished build's image, digest and error summary are rendered by the server.
    setTimeout(() => window.location.reload(), 400);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  copyButtons();
  const log = document.getElementById("log");
  if (log && log.dataset.running === "true") liveBuild(log);
});
