// salesdesk page behaviour. No inline scripts: everything hangs off data attributes.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-row]");
  if (!button) return;
  const total = document.getElementById(button.dataset.total);
  const html = document.getElementById(button.dataset.addRow).innerHTML.replaceAll("__prefix__", total.value);
  document.getElementById(button.dataset.into).insertAdjacentHTML("beforeend", html);
  total.value = Number(total.value) + 1;
});
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
