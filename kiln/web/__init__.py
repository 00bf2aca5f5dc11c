"""The dashboard: server-rendered pages (Jinja2) over the service layer, plus one CSS and one
small JS file. A door like `kiln/api/`: it calls only `kiln/service/`."""
