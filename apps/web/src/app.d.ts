// SvelteKit's ambient types (App.Error, App.Locals, …): the defaults serve this app.
export {};
