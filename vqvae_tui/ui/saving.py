"""Export and screenshot: the keys that write files, into the app's export place.

Every file is new (an ExportPlace never overwrites); a file that cannot be written is a
notification saying why, and nothing of the learner's state is lost.
"""

from __future__ import annotations


class Saving:
    """The app's `e` and `s`: a mixin of the app (it reads `exports`, `trace` and `session`)."""

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
        from vqvae_tui.exports import ExportError

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
