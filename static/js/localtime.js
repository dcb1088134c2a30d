// Show the schedule's times in the visitor's own time zone, and back, at the click of a button.
// Times are <time datetime="2024-11-26T14:15:00+01:00" data-time>14:15</time> elements written
// in the workshop's zone; a time that falls on another day in the visitor's zone gets its day.
// A static file, not an inline script: the site's Content-Security-Policy forbids inline code.
(function () {
  "use strict";
  var button = document.querySelector("[data-localtime-toggle]");
  if (!button || !window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var note = document.querySelector("[data-localtime-note]");
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "your time zone";
  var timeFormat = new Intl.DateTimeFormat(undefined, {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  var dayFormat = new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
  });
  var dateParts = new Intl.DateTimeFormat("en", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });

  function isoDate(when) {
    var parts = {};
    dateParts.formatToParts(when).forEach(function (part) {
      parts[part.type] = part.value;
    });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }

  function show(local) {
    document.querySelectorAll("time[datetime][data-time]").forEach(function (el) {
      if (el.dataset.original === undefined) {
        el.dataset.original = el.textContent;
      }
      if (!local) {
        el.textContent = el.dataset.original;
        return;
      }
      var stamp = el.getAttribute("datetime");
      var when = new Date(stamp);
      if (isNaN(when.getTime())) {
        return;
      }
      var text = timeFormat.format(when);
      if (isoDate(when) !== stamp.slice(0, 10)) {
        text = dayFormat.format(when) + " " + text;
      }
      el.textContent = text;
    });
    if (note) {
      note.textContent = local
        ? "Times are in your time zone (" + zone + ")."
        : "Times are in " + note.dataset.zone + ".";
    }
    button.textContent = local
      ? "Show times in " + (note ? note.dataset.zone : "the workshop's time zone")
      : "Show times in my time zone";
    button.setAttribute("aria-pressed", local ? "true" : "false");
  }

  var local = false;
  button.hidden = false;
  button.addEventListener("click", function () {
    local = !local;
    show(local);
  });
})();

// Deadlines and other single moments: <time datetime="2031-03-16T11:59:00+00:00"
// data-local-time>16 March 2031, 11:59 UTC</time> stands beside the time as announced (AoE, or
// the workshop's zone) and is rewritten to the visitor's own date, time and zone.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var format = new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
  });
  document.querySelectorAll("time[datetime][data-local-time]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when.getTime())) {
      return;
    }
    el.textContent = "your time: " + format.format(when);
  });
})();
