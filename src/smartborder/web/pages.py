"""The web UI's pages: server-rendered (Jinja2, autoescaped) with htmx for the queue's filters and
the outcome form; nothing is loaded from the internet. Every page calls the same service
functions as the API (smartborder.service), signed in with a session cookie.

    session.py    /signin, /signout, /
    officers.py   /queue, /consignments/{id} and its outcome form
    analysts.py   /profiles, /watchlists
    figures.py    /quality, /dashboard
    common.py     templates, who is signed in, role checks, error pages
"""

from importlib.resources import files

from fastapi import APIRouter
from fastapi.staticfiles import StaticFiles

from smartborder.web import analysts, figures, officers, session

router = APIRouter(include_in_schema=False)
for part in (session.router, officers.router, analysts.router, figures.router):
    router.include_router(part)


def static_files() -> StaticFiles:
    return StaticFiles(directory=str(files("smartborder.web").joinpath("static")))
