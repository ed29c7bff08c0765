// http/console_assets.cc — console.js and console.css.
#include "http/console_assets.h"

namespace sendguard::http {

const char* const kConsoleJs = R"JS(// sendguard console: the overview charts (hour, day, week).
function drawHistory(canvas) {
  var range = canvas.getAttribute("data-range");
  var colours = {accept: "#2e7d32", quarantine: "#f9a825", tempfail: "#1565c0", reject: "#c62828",
                 quota_refusal: "#6a1b9a"};
  fetch("/console/api/history?range=" + encodeURIComponent(range), {credentials: "same-origin"})
    .then(function (r) { if (!r.ok) throw new Error("history: HTTP " + r.status); return r.json(); })
    .then(function (h) {
      if (typeof Chart === "undefined") throw new Error("Chart.js is not installed (libjs-chart.js)");
      var labels = h.points.map(function (p) {
        var iso = new Date(p.t * 1000).toISOString();
        return range === "week" ? iso.substr(5, 11).replace("T", " ") : iso.substr(11, 5);
      });
      var datasets = h.series.map(function (name, i) {
        return {label: name, data: h.points.map(function (p) { return p.v[i]; }),
                borderColor: colours[name], backgroundColor: colours[name], fill: false, tension: 0.2};
      });
      new Chart(canvas, {type: "line", data: {labels: labels, datasets: datasets},
                         options: {animation: false, scales: {y: {beginAtZero: true}}}});
      var total = 0;
      h.points.forEach(function (p) { p.v.forEach(function (v) { total += v; }); });
      canvas.setAttribute("data-total", String(total));
      canvas.setAttribute("data-rendered", "yes");
    })
    .catch(function (e) {
      var note = document.getElementById("history-error");
      if (note) note.textContent = e.message;
      canvas.setAttribute("data-rendered", "error");
    });
}
document.querySelectorAll("canvas[data-range]").forEach(drawHistory);
)JS";

const char* const kConsoleCss = R"CSS(body { font-family: sans-serif; margin: 1.5em; color: #222; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
.state-suspend { color: #c62828; font-weight: bold; }
.state-hold, .state-throttle { color: #ef6c00; font-weight: bold; }
.error { color: #c62828; }
form.inline { display: inline; }
pre.error { white-space: pre-wrap; }
canvas { max-width: 60em; max-height: 24em; }
)CSS";

}  // namespace sendguard::http
