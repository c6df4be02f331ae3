from django.apps import AppConfig


class PathfinderConfig(AppConfig):
    name = "pathfinder"
    verbose_name = "Path finder"
