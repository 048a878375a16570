"""The baseline: a FastAPI app that answers every webhook 202 and does nothing else."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.post("/api/github/webhooks")
async def accept(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"status": "queued"}, status_code=202)
