from donations import create_app

app = create_app()
