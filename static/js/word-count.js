// A live word count under each <textarea data-word-limit="300">; the server enforces the limit.
// A static file, not an inline script: the site's Content-Security-Policy forbids inline code.
(function () {
  "use strict";
  document.querySelectorAll("textarea[data-word-limit]").forEach(function (area) {
    var limit = parseInt(area.dataset.wordLimit, 10);
    var counter = document.createElement("div");
    counter.className = "form-text";
    counter.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);

    function update() {
      var text = area.value.trim();
      var words = text ? text.split(/\s+/).length : 0;
      counter.textContent = words + " / " + limit + " words";
      counter.classList.toggle("text-danger", words > limit);
    }

    area.addEventListener("input", update);
    update();
  });
})();
