import Web

/// `GET /`: the start page. The pages issue replaces it with the sign-in flow.
struct HomeController {
    func register(on router: inout Router<AppContext>) {
        router.get("/") { _, _ in
            .html(HomeController.page)
        }
    }

    static let page = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Parley</title>
        <link rel="stylesheet" href="/static/style.css">
        </head>
        <body>
        <header class="site-header"><a class="brand" href="/">Parley</a></header>
        <main>
        <h1>Parley</h1>
        <p>Conversations, served by Swift over FastCGI.</p>
        <p>Service status: <a href="/healthz">/healthz</a></p>
        </main>
        </body>
        </html>

        """
}
