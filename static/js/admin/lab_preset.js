// The lab's admin page: show only the model fields of the model type chosen in the preset
// form (each model field's widget names its types in data-kinds; the others are ignored
// when the lab is saved, so hiding them only removes noise). A row with an error stays.
"use strict";
(function () {
  function showKindFields() {
    const kindSelect = document.getElementById("id_preset__model__kind");
    if (!kindSelect) return;
    const kind = kindSelect.value;
    for (const widget of document.querySelectorAll("[data-kinds]")) {
      const row = widget.closest(".form-row");
      if (!row || row.querySelector(".errorlist")) continue;
      row.hidden = kind !== "" && !widget.dataset.kinds.split(" ").includes(kind);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    const kindSelect = document.getElementById("id_preset__model__kind");
    if (!kindSelect) return;
    kindSelect.addEventListener("change", showKindFields);
    showKindFields();
  });
})();
