// The schedule grid (admin). Every action is a plain request the page also offers without
// JavaScript; this script only drives it:
// - dragging a block, or an item not placed yet, onto a slot fills the move form (item, day,
//   start, room) and submits it, so a drag is the same request as a keyboard move: the server
//   checks it, keeps the item's length, shows the conflicts it makes, and can undo it;
// - dragging a block's bottom edge onto a slot submits the same form with an end: the block
//   then ends where that slot does;
// - dropping an item on the "all day" strip submits it with no start: all day on that day;
// - the item dialog the server opened (?edit=, ?new=) becomes modal; Escape closes it.
(function () {
  "use strict";

  var dialog = document.querySelector("dialog.item-dialog");
  if (dialog && typeof dialog.showModal === "function") {
    var closeLink = dialog.querySelector("[data-close-dialog]");
    dialog.removeAttribute("open"); // shown by the server: show it again, modal (no close event)
    dialog.showModal();
    // Escape closes it (Chromium may not let a page keep it open): then leave the dialog's URL.
    dialog.addEventListener("close", function () {
      window.location.assign(closeLink.href);
    });
    var first = dialog.querySelector(".errors input, .errors select, input[type=text], select");
    if (first) {
      first.focus();
    }
  }

  var grid = document.querySelector("[data-testid=schedule-grid]");
  var form = document.querySelector("form.grid-move");
  if (!grid || !form) {
    return;
  }
  // namedItem: "item" is also a method of the elements collection.
  function field(name) {
    return form.elements.namedItem(name);
  }

  document.querySelectorAll("[data-item][draggable=true]").forEach(function (el) {
    el.addEventListener("dragstart", function (event) {
      event.dataTransfer.setData("text/plain", "move:" + el.dataset.item);
      event.dataTransfer.effectAllowed = "move";
      grid.classList.add("dragging");
    });
    el.addEventListener("dragend", function () {
      grid.classList.remove("dragging");
    });
  });

  grid.querySelectorAll("[data-resize]").forEach(function (handle) {
    handle.addEventListener("dragstart", function (event) {
      event.stopPropagation(); // not a move of the block it is the edge of
      event.dataTransfer.setData("text/plain", "resize:" + handle.dataset.resize);
      event.dataTransfer.effectAllowed = "move";
      grid.classList.add("dragging");
    });
    handle.addEventListener("dragend", function () {
      grid.classList.remove("dragging");
    });
  });

  // The slots of the grid, and the "all day" strip above it (a slot without a start).
  document.querySelectorAll(".grid-cell").forEach(function (cell) {
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
      var data = event.dataTransfer.getData("text/plain").split(":");
      var item = data[1];
      if (!item) {
        return;
      }
      field("item").value = item;
      field("day").value = grid.dataset.day;
      if (data[0] === "resize") {
        var block = grid.querySelector(".grid-block[data-item='" + item + "']");
        field("start").value = block.dataset.start;
        field("room").value = block.dataset.room;
        field("end").value = cell.dataset.end;
      } else {
        field("start").value = cell.dataset.start;
        field("room").value = cell.dataset.room;
        field("end").value = "";
      }
      form.requestSubmit(form.querySelector("[name=_move]"));
    });
  });
})();
