"""Users API for admins: create, list and deactivate the users of their own agency."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from borderwatch.domain.audit import Role
from borderwatch.http.api.auth import UserOut
from borderwatch.http.deps import AdminDep, InstanceDep, RowId
from borderwatch.services import auth

router = APIRouter(prefix="/api/users", tags=["users"])


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=80)
    role: Role
    password: str = Field(min_length=1, max_length=auth.MAX_PASSWORD_LENGTH)
    full_name: str = Field(default="", max_length=200)


class UserList(BaseModel):
    users: list[UserOut]


@router.post("", response_model=UserOut, status_code=201, summary="Create a user in the admin's agency")
def create_user(body: UserIn, instance: InstanceDep, actor: AdminDep) -> UserOut:
    user = auth.create_user(
        instance.db,
        actor,
        username=body.username,
        role=body.role,
        password=body.password,
        full_name=body.full_name,
        now=datetime.now(UTC),
    )
    return UserOut.of(user)


@router.get("", response_model=UserList, summary="The users of the admin's agency")
def list_users(instance: InstanceDep, actor: AdminDep) -> UserList:
    return UserList(users=[UserOut.of(u) for u in auth.list_users(instance.db, actor)])


@router.post(
    "/{user_id}/deactivate", response_model=UserOut, summary="Deactivate a user and revoke their tokens"
)
def deactivate_user(user_id: RowId, instance: InstanceDep, actor: AdminDep) -> UserOut:
    return UserOut.of(auth.deactivate_user(instance.db, actor, user_id, now=datetime.now(UTC)))
