"""The caller's own account, and account lookup by id."""

from fastapi import APIRouter, HTTPException

from ..db import SessionDep
from ..models import User
from ..schemas import Permissions, UserOut, UserPublic, UserUpdate
from ..security import CurrentUser

router = APIRouter(prefix="/users", tags=["users"])

# The only account fields a user may change; role and admin rights are back-office only.
EDITABLE_FIELDS = {"full_name", "email"}
EDITABLE_FIELDS = {"full_name", "email"}


@router.get("/me", response_model=UserPublic)
def read_me(user: CurrentUser) -> User:
    return user


@router.patch("/me", response_model=UserPublic)
def update_me(body: UserUpdate, user: CurrentUser, session: SessionDep) -> User:
    changes = body.model_dump(exclude_unset=True, include=EDITABLE_FIELDS)
    for field, value in changes.items():  # ok: APS304
        setattr(user, field, value)
    session.commit()
    return user


@router.get("/me/permissions", response_model=Permissions)
def read_my_permissions(user: CurrentUser) -> Permissions:
    return Permissions(username=user.username, role=user.role, is_admin=user.has_admin_rights)


@router.get("/{user_id}", response_model=UserOut)
def read_user(user_id: int, user: CurrentUser, session: SessionDep) -> User:  # ok: APS101
    if user_id != user.id and not user.has_admin_rights:
        raise HTTPException(status_code=403, detail="You may only read your own account")
    found = session.get(User, user_id)
    if found is None:
        raise HTTPException(status_code=404, detail="User not found")
    return found
