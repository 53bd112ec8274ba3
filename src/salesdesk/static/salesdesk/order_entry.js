// The phone order form: lines added from the keyboard, agreed prices filled in, totals live,
// and lines proposed from a pasted SMS.
(() => {
  const form = document.querySelector("[data-order-entry]");
  if (!form) return;
  const body = document.getElementById("order-lines");
  const total = document.getElementById("id_lines-TOTAL_FORMS");
  const names = {};
  document.querySelectorAll("#product-codes option").forEach((o) => { names[o.value.toUpperCase()] = o.textContent; });
  const agreed = () => {
    const el = document.getElementById("agreed-prices");
    return el ? JSON.parse(el.textContent) : {};
  };
  const field = (row, name) => row.querySelector(`[data-field="${name}"]`);
  const cents = (x) => Math.round(x * 100) / 100;

  function refresh(row) {
    const code = (field(row, "product").value || "").trim().split(" ")[0].toUpperCase();
    field(row, "name").textContent = names[code] || "";
    const quantity = parseFloat(field(row, "quantity").value);
    const price = parseFloat(field(row, "unit_price").value);
    field(row, "amount").textContent = quantity > 0 && price >= 0 ? cents(quantity * price).toFixed(2) : "";
  }

  function refreshTotal() {
    let sum = 0;
    body.querySelectorAll(".sd-line").forEach((row) => {
      const del = row.querySelector('input[name$="-DELETE"]');
      const amount = parseFloat(field(row, "amount").textContent);
      if (!(del && del.checked) && amount) sum += amount;
    });
    document.getElementById("order-total").textContent = cents(sum).toFixed(2);
  }

  function fillPrice(row, force) {
    const code = (field(row, "product").value || "").trim().split(" ")[0].toUpperCase();
    const prices = agreed();
    const key = Object.keys(prices).find((k) => k.toUpperCase() === code);
    const priceInput = field(row, "unit_price");
    if (key && (force || !priceInput.value || priceInput.dataset.auto === "1")) {
      priceInput.value = prices[key];
      priceInput.dataset.auto = "1";
    }
  }

  function addLine(values = {}) {
    const html = document.getElementById("line-template").innerHTML.replaceAll("__prefix__", total.value);
    body.insertAdjacentHTML("beforeend", html);
    total.value = Number(total.value) + 1;
    const row = body.lastElementChild;
    if (values.product) field(row, "product").value = values.product;
    if (values.quantity) field(row, "quantity").value = values.quantity;
    if (values.requested_date) field(row, "requested_date").value = values.requested_date;
    if (values.proposed) row.classList.add("sd-proposed");
    fillPrice(row, false);
    refresh(row);
    return row;
  }

  function emptyLastRow() {
    const last = body.lastElementChild;
    return last && !field(last, "product").value && !field(last, "quantity").value ? last : null;
  }

  body.addEventListener("input", (e) => {
    const row = e.target.closest(".sd-line");
    if (!row) return;
    if (e.target.dataset.field === "unit_price") e.target.dataset.auto = "0";
    if (e.target.dataset.field === "product") fillPrice(row, false);
    refresh(row);
    refreshTotal();
  });
  body.addEventListener("change", refreshTotal);

  // Ctrl+Enter registers from anywhere on the page, the paste box included.
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      form.querySelector("[data-register]").click();
    }
  });
  form.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey) return;
    const row = e.target.closest && e.target.closest(".sd-line");
    if (e.key === "Enter" && row && e.target.tagName === "INPUT") {
      e.preventDefault(); // Enter in a line never submits half an order
      if (row === body.lastElementChild) addLine();
      const next = row.nextElementSibling;
      if (next) field(next, "product").focus();
    }
  });
  form.querySelector("[data-add-line]").addEventListener("click", () => field(addLine(), "product").focus());

  document.body.addEventListener("htmx:afterSwap", (e) => {
    if (e.target.id !== "customer-panel") return;
    body.querySelectorAll(".sd-line").forEach((row) => { fillPrice(row, false); refresh(row); });
    refreshTotal();
  });

  const pasteButton = document.getElementById("paste-button");
  const messages = document.getElementById("entry-messages").dataset;
  pasteButton.addEventListener("click", async () => {
    const text = document.getElementById("paste-text").value;
    const data = new FormData();
    data.append("text", text);
    const response = await fetch(pasteButton.dataset.parseUrl, {
      method: "POST", body: data, headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
    });
    const result = await response.json();
    const out = document.getElementById("paste-result");
    out.replaceChildren();
    (result.lines || []).forEach((line) => {
      const blank = emptyLastRow();
      if (blank) blank.remove(), (total.value = Number(total.value) - 1);
      addLine({ product: line.product, quantity: line.quantity, requested_date: result.requested_date, proposed: true });
    });
    const note = document.createElement("div");
    note.className = result.lines && result.lines.length ? "text-success" : "text-danger";
    note.textContent = result.lines && result.lines.length ? messages.added : messages.none;
    out.appendChild(note);
    if (result.unrecognised && result.unrecognised.length) {
      const warn = document.createElement("div");
      warn.className = "alert alert-warning py-1 mt-1 mb-0";
      warn.dataset.testid = "unrecognised";
      warn.textContent = `${messages.unrecognised} ${result.unrecognised.join(" · ")}`;
      out.appendChild(warn);
    }
    refreshTotal();
  });

  body.querySelectorAll(".sd-line").forEach(refresh);
  refreshTotal();
})();
