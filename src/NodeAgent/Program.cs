using Platform.NodeAgent;
using Platform.NodeAgent.Startup;

if (AgentCommandLine.TryAnswer(args, Console.Out))
{
    return 0;
}

if (args.Length > 0 && args[0] == "discover")
{
    return NodeAgentApp.Discover(args);
}

WebApplication app;
try
{
    app = NodeAgentApp.Build(args);
}
catch (AgentConfigurationException ex)
{
    await Console.Error.WriteAsync(ex.Report).ConfigureAwait(false);
    return AgentConfigurationException.ExitCode;
}

await using (app.ConfigureAwait(false))
{
    await app.RunAsync().ConfigureAwait(false);
}

return 0;
