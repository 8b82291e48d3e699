"""Dependency aliases: handlers ask for what they need by type, tests override the providers."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates

from app.content import Track
from app.settings import Settings, get_settings
from app.web.lane import FairLane


def get_track(request: Request) -> Track:
    return request.app.state.track


def get_templates(request: Request) -> Jinja2Templates:
    return request.app.state.templates


def get_heavy_lane(request: Request) -> FairLane:
    return request.app.state.heavy_lane


def get_compare_lane(request: Request) -> FairLane:
    return request.app.state.compare_lane


SettingsDep = Annotated[Settings, Depends(get_settings)]
TrackDep = Annotated[Track, Depends(get_track)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
HeavyLaneDep = Annotated[FairLane, Depends(get_heavy_lane)]
CompareLaneDep = Annotated[FairLane, Depends(get_compare_lane)]
