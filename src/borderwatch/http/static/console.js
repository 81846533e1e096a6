// borderwatch console: CSRF header for htmx requests, and keyboard navigation of the alert queue.
// No inline script anywhere (the content security policy forbids it): this file is all there is.
"use strict";

document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  }
});

function queueRows() {
  return Array.prototype.slice.call(document.querySelectorAll("[data-queue-row]"));
}

function focusRow(rows, index) {
  if (!rows.length) {
    return;
  }
  var target = rows[Math.max(0, Math.min(rows.length - 1, index))];
  rows.forEach(function (row) {
    row.setAttribute("tabindex", row === target ? "0" : "-1");
  });
  target.focus();
}

document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey) {
    return;
  }
  var element = event.target;
  if (element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT|BUTTON)$/.test(element.tagName))) {
    return;
  }
  var rows = queueRows();
  if (!rows.length) {
    return;
  }
  var current = rows.indexOf(document.activeElement && document.activeElement.closest
    ? document.activeElement.closest("[data-queue-row]") : null);
  if (event.key === "j" || event.key === "ArrowDown") {
    event.preventDefault();
    focusRow(rows, current < 0 ? 0 : current + 1);
  } else if (event.key === "k" || event.key === "ArrowUp") {
    event.preventDefault();
    focusRow(rows, current < 0 ? 0 : current - 1);
  } else if (event.key === "Enter" && current >= 0) {
    var link = rows[current].querySelector("a[href]");
    if (link) {
      event.preventDefault();
      link.click();
    }
  }
});

// A click anywhere on a queue row opens its alert, like Enter does.
document.addEventListener("click", function (event) {
  var row = event.target && event.target.closest ? event.target.closest("[data-queue-row]") : null;
  if (row && !event.target.closest("a")) {
    var link = row.querySelector("a[href]");
    if (link) {
      link.click();
    }
  }
});
