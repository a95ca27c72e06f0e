// The Copy buttons of the console (a reset link's, say): each copies the field its
// `data-copy` names and says so in the element its `data-copy-status` names. Without
// JavaScript the buttons stay hidden and the field's text is there to select by hand.
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
      status.textContent = document.execCommand("copy") ? "Copied." : "Select the link and copy it by hand.";
    }
  });
}
