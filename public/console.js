// The few lines of plain script of the console and the account page (the WASM does not grow for them). Without
// JavaScript the pages work the same: times stay in UTC and Copy buttons stay hidden.

// Times in the viewer's own time zone: each <time data-local> is rewritten from its `datetime`,
// and each [data-zone] heading names the zone.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const local = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZoneName: "short",
});
for (const time of document.querySelectorAll("time[data-local]")) {
  const at = new Date(time.dateTime);
  if (!Number.isNaN(at.getTime())) {
    time.title = time.textContent;
    time.textContent = local.format(at);
  }
}
for (const heading of document.querySelectorAll("[data-zone]")) {
  heading.textContent = `${heading.dataset.zone} (${zone})`;
}

// Copy buttons (a reset link, a new application password): each copies the field its `data-copy`
// names and says so in the element its `data-copy-status` names.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!field || !status) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = "Copied.";
    } catch {
      status.textContent = document.execCommand("copy") ? "Copied." : "Select it and copy it by hand.";
    }
  });
}
