"""Where attachments live: an S3 bucket in AWS, a directory (a compose volume) on a laptop.

Both classes offer the same two methods, so the rest of the app does not know which one it has.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import IO

from flask import Response, redirect, send_file
from werkzeug.utils import secure_filename


def new_key(filename: str) -> str:
    """A unique object key that keeps the (sanitised) original name at its end."""
    return f"notes/{uuid.uuid4().hex}/{secure_filename(filename) or 'attachment'}"


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def save(self, key: str, stream: IO[bytes], content_type: str) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as target:
            while chunk := stream.read(64 * 1024):
                target.write(chunk)

    def download(self, key: str, filename: str) -> Response:
        return send_file(self.root / key, as_attachment=True, download_name=filename)


class S3Storage:
    def __init__(self, bucket: str, region: str | None) -> None:
        import boto3  # imported here: a laptop without a bucket never needs it

        self.bucket = bucket
        self.client = boto3.client("s3", region_name=region)

    def save(self, key: str, stream: IO[bytes], content_type: str) -> None:
        self.client.upload_fileobj(stream, self.bucket, key, ExtraArgs={"ContentType": content_type})

    def download(self, key: str, filename: str) -> Response:
        # The browser fetches the file straight from S3 with a link valid for five minutes.
        url = self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
            },
            ExpiresIn=300,
        )
        return redirect(url)
