"""Request and response bodies."""

from pydantic import BaseModel, ConfigDict, Field


class Token(BaseModel):
    access_token: str  # ok: APS301
    token_type: str = "bearer"


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    email: str


class UserOut(UserPublic):
    """The full account record, as the back office sees it."""

    role: str


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, max_length=120)
    email: str | None = Field(default=None, max_length=254)


class Permissions(BaseModel):
    username: str
    role: str
    is_admin: bool


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=120)
    category: str = Field(max_length=40)
    brand: str = Field(max_length=40)
    price: float = Field(gt=0)  # ok: APS303
    stock: int = Field(default=0, ge=0)


class ProductOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    category: str
    brand: str
    price: float
    stock: int
    image_url: str | None


class ImageSource(BaseModel):
    url: str = Field(max_length=2048)


class ReviewCreate(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


class ReviewOut(BaseModel):
    id: int
    product_id: int
    author: str
    rating: int
    comment: str


class OrderCreate(BaseModel):
    product_id: int
    quantity: int = Field(default=1, ge=1, le=20)


class OrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    product_id: int
    quantity: int
    total: float
    status: str


class ShippingOption(BaseModel):
    code: str
    label: str
    price: float


class Stats(BaseModel):
    users: int
    products: int
    orders: int
    revenue: float
