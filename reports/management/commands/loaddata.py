"""Django's loaddata, writing through the lifecycle gate.

A dump of this project holds published and superseded editions with their content; loading
it is restoring what the lifecycle once wrote, as the importer and the demo loader do, so the
database's freeze (reports.editions.freeze) lets the rows in. It still refuses, inside the
gate too, to change or delete what a frozen edition already holds.
"""

from django.core.management.commands import loaddata

from reports.editions.freeze import lifecycle


class Command(loaddata.Command):
    def loaddata(self, fixture_labels):
        with lifecycle():
            super().loaddata(fixture_labels)
