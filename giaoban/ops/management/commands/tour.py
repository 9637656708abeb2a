"""`giaoban tour [DIR]`: the guided tour's screenshots, taken again from the demo scenario."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from giaoban.ops import tour


class Command(BaseCommand):
    help = (
        "Load the demo scenario into a fresh installation, serve it, and photograph the main "
        "pages with headless Chromium at a laptop's and a phone's width (docs/tour.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default="docs/tour")

    def handle(self, *args, directory: str, **options):
        try:
            written = tour.take(Path(directory), log=self.stdout.write)
        except tour.TourError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{len(written)} screenshots in {directory}"))
