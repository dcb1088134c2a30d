// The schedule grid (admin): drag a block, or an item not placed yet, onto a slot to move it
// there. The drop fills the page's move form (item, day, start, room) and submits it, so a
// drag is the same request as a keyboard move: the server checks it, keeps the item's length,
// shows the conflicts it makes, and can undo it. Without JavaScript the form still works.
(function () {
  "use strict";

  var grid = document.querySelector("[data-testid=schedule-grid]");
  var form = document.querySelector("form.grid-move");
  if (!grid || !form) {
    return;
  }

  document.querySelectorAll("[data-item][draggable=true]").forEach(function (el) {
    el.addEventListener("dragstart", function (event) {
      event.dataTransfer.setData("text/plain", el.dataset.item);
      event.dataTransfer.effectAllowed = "move";
      grid.classList.add("dragging");
    });
    el.addEventListener("dragend", function () {
      grid.classList.remove("dragging");
    });
  });

  grid.querySelectorAll(".grid-cell").forEach(function (cell) {
    cell.addEventListener("dragover", function (event) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      cell.classList.add("drop-here");
    });
    cell.addEventListener("dragleave", function () {
      cell.classList.remove("drop-here");
    });
    cell.addEventListener("drop", function (event) {
      event.preventDefault();
      var item = event.dataTransfer.getData("text/plain");
      if (!item) {
        return;
      }
      // namedItem: "item" is also a method of the elements collection.
      form.elements.namedItem("item").value = item;
      form.elements.namedItem("day").value = grid.dataset.day;
      form.elements.namedItem("start").value = cell.dataset.start;
      form.elements.namedItem("room").value = cell.dataset.room;
      form.requestSubmit(form.querySelector("[name=_move]"));
    });
  });
})();
