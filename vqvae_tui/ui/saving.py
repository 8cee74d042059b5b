"""The app's exports: the state as JSON (e) and the screen as SVG (s), each a new file in the
export place, said in a notification (or why not)."""

from __future__ import annotations

from vqvae_tui.exports import ExportError


class Saving:
    """The app's part that saves files (mixed into VQVAEApp)."""

    def action_export(self) -> None:
        """Save the state (pixels, codes, every Trace matrix, losses, edits) as JSON."""
        from vqvae_tui.state import state_json

        if self.trace is None:
            self.notify("the model is still loading", timeout=2)
            return
        text = state_json(self.trace, self.session.edits)
        self.save("state", ".json", text, "open it with: vqvae-tui --open {name}")

    def action_screenshot_svg(self) -> None:
        """Save what the terminal shows now as an SVG."""
        self.save("screenshot", ".svg", self.export_screenshot())

    def save(self, kind: str, suffix: str, text: str, then: str = "") -> None:
        """Write a new file in the export place: a notification says where, or why not."""
        if self.exports is None:
            self.notify("saving files is turned off on this server", severity="warning")
            return
        try:
            path = self.exports.write(kind, suffix, text)
        except ExportError as error:
            self.notify(str(error), severity="error", markup=False)  # a path is not markup
            return
        hint = f" ({then.format(name=path.name)})" if then else ""
        self.notify(f"saved {path}{hint}", timeout=6, markup=False)
