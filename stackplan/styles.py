"""Colours and line styles, after AWS's architecture diagram guidelines.

Groups: AWS Cloud (dark, solid), Region and Availability Zone (teal, dashed), VPC (purple,
solid), public subnets (green), private subnets (teal), isolated subnets (grey). Edge kinds
each have their own line style, explained in every diagram's legend.
"""

from __future__ import annotations

from stackplan.model import CALLS, DEPLOYS, MAY_CONNECT

FONT = "Helvetica"
TEXT = "#232F3E"
MUTED = "#545B64"

# style -> (border colour, fill colour or "", dashed?, bold label?)
GROUP_STYLES: dict[str, tuple[str, str, bool]] = {
    "aws_cloud": ("#232F3E", "", False),
    "region": ("#00A4A6", "", True),
    "vpc": ("#8C4FFF", "", False),
    "az": ("#00A4A6", "", True),
    "public_subnet": ("#7AA116", "#F2F6E8", False),
    "private_subnet": ("#00A4A6", "#E6F6F7", False),
    "isolated_subnet": ("#7D8998", "#F2F3F3", False),
    "laptop": ("#7D8998", "", False),
    "vm": ("#ED7100", "#FDF3EA", False),
    "engine": ("#2496ED", "#EEF6FD", True),
    "ci": ("#232F3E", "#F7F7F7", True),
    "registry": ("#ED7100", "", True),
    "generic": ("#7D8998", "", True),
}

# kind -> (colour, DOT style, Mermaid arrow, what the legend says)
EDGE_STYLES: dict[str, tuple[str, str, str, str]] = {
    CALLS: ("#232F3E", "solid", "-->", "calls (request or data flow)"),
    MAY_CONNECT: ("#DD344C", "dashed", "-.->", "may connect (security-group rule)"),
    DEPLOYS: ("#ED7100", "dotted", "==>", "deploys / provisions / pulls image"),
}
