from tongban.payments.api.routes import router

__all__ = ["router"]
