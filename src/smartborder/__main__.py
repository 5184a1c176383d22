from smartborder.cli import app

app(prog_name="smartborder")
