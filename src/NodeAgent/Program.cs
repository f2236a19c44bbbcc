using Platform.NodeAgent;

if (args.Length > 0 && args[0] == "discover")
{
    return NodeAgentApp.Discover(args);
}

await using var app = NodeAgentApp.Build(args);
await app.RunAsync().ConfigureAwait(false);
return 0;
