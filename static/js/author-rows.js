// The authors table of the submission form, without a round trip: "Add an author", the
// arrows and the crosses change the rows in place, so a chosen PDF stays chosen and the page
// does not jump. Without scripts the same buttons post the form and the server rearranges
// the rows (submissions.forms.rearranged_author_rows); the field names are the same.
(function () {
  "use strict";
  var fieldset = document.querySelector("fieldset[data-author-rows]");
  if (!fieldset) return;
  var body = fieldset.querySelector("tbody");
  var total = fieldset.querySelector("input[name=authors-TOTAL_FORMS]");
  var initial = fieldset.querySelector("input[name=authors-INITIAL_FORMS]");
  var max = parseInt(fieldset.dataset.authorRows, 10) || 30;
  var addButton = fieldset.querySelector("button[value=add]");
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  fieldset.appendChild(status);

  function rows() {
    return Array.prototype.slice.call(body.querySelectorAll("tr[data-testid=author-row]"));
  }

  function renumber() {
    var all = rows();
    all.forEach(function (row, i) {
      row.querySelector("th").textContent = String(i + 1);
      row.querySelectorAll("[name^=authors-], [id^=id_authors-], label[for^=id_authors-]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) el.setAttribute(attr, value.replace(/authors-\d+-/g, "authors-" + i + "-"));
        });
      });
      row.querySelectorAll("button[name=action]").forEach(function (button) {
        var verb = button.value.split("-")[0];
        button.value = verb + "-" + i;
        if (verb === "up") button.disabled = i === 0;
        if (verb === "down") button.disabled = i === all.length - 1;
        var hidden = button.querySelector(".visually-hidden");
        if (hidden) hidden.textContent = hidden.textContent.replace(/\d+/, String(i + 1));
      });
    });
    total.value = String(all.length);
    // A plain formset: no row is an "initial" one the server must find filled in. Rows
    // moved or removed here would leave a blank row among them, refused as incomplete.
    initial.value = "0";
    addButton.disabled = all.length >= max;
  }

  function blank(row) {
    row.querySelectorAll("input").forEach(function (input) {
      if (input.type === "checkbox") {
        input.checked = input.name.slice(-"wants_mail".length) === "wants_mail";
      } else {
        input.value = "";
      }
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    return row;
  }

  fieldset.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=action]");
    if (!button || !fieldset.contains(button)) return;
    var parts = button.value.split("-");
    var verb = parts[0];
    var all = rows();
    var row = all[parseInt(parts[1], 10)];
    var focus = null;
    if (verb === "add") {
      if (all.length >= max) return;
      var fresh = blank(all[all.length - 1].cloneNode(true));
      body.appendChild(fresh);
      focus = fresh.querySelector("input[type=text]");
      status.textContent = "Author " + (all.length + 1) + " added.";
    } else if (verb === "up" && row && row.previousElementSibling) {
      body.insertBefore(row, row.previousElementSibling);
      focus = button;
    } else if (verb === "down" && row && row.nextElementSibling) {
      body.insertBefore(row.nextElementSibling, row);
      focus = button;
    } else if (verb === "remove" && row) {
      if (all.length === 1) blank(row); else row.remove();
      focus = body.querySelector("input[type=text]");
      status.textContent = "Author removed.";
    } else {
      return;
    }
    event.preventDefault();
    renumber();
    if (focus) focus.focus();
  });
  renumber();
})();
