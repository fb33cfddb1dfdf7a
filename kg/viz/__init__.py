"""The interactive graph page (``kg viz``): one self-contained HTML file per graph or subgraph."""
from kg.viz.page import PageReport, render_page, write_page
from kg.viz.select import Selection, find_nodes, select

__all__ = ["PageReport", "Selection", "find_nodes", "render_page", "select", "write_page"]
