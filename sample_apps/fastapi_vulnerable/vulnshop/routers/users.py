"""The caller's own account, and account lookup by id."""

from fastapi import APIRouter, HTTPException

from ..db import SessionDep
from ..models import User
from ..schemas import Permissions, UserOut, UserPublic, UserUpdate
from ..security import CurrentUser

router = APIRouter(prefix="/users", tags=["users"])


@router.get("/me", response_model=UserPublic)
def read_me(user: CurrentUser) -> User:
    return user


@router.patch("/me", response_model=UserPublic)
def update_me(body: UserUpdate, user: CurrentUser, session: SessionDep) -> User:
    for field, value in body.model_dump(exclude_unset=True).items():  # expect: APS304
        setattr(user, field, value)
    session.commit()
    return user


@router.get("/me/permissions", response_model=Permissions)
def read_my_permissions(user: CurrentUser) -> Permissions:
    return Permissions(username=user.username, role=user.role, is_admin=user.has_admin_rights)


@router.get("/{user_id}", response_model=UserOut)
def read_user(user_id: int, user: CurrentUser, session: SessionDep) -> User:  # expect: APS101
    found = session.get(User, user_id)
    if found is None:
        raise HTTPException(status_code=404, detail="User not found")
    return found
