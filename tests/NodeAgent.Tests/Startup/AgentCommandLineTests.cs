using Platform.NodeAgent.Startup;

namespace Platform.NodeAgent.Tests.Startup;

public sealed class AgentCommandLineTests
{
    [Theory]
    [InlineData(new[] { "--help" }, true)]
    [InlineData(new[] { "-h" }, true)]
    [InlineData(new[] { "discover", "--help" }, true)]
    [InlineData(new[] { "--version" }, true)]
    [InlineData(new[] { "--Gpu:Driver=help" }, false)]
    [InlineData(new[] { "--Node:Name", "help" }, false)]
    [InlineData(new string[0], false)]
    public void TryAnswer_OnlyForHelpOrVersion(string[] args, bool answered)
    {
        using var output = new StringWriter();

        Assert.Equal(answered, AgentCommandLine.TryAnswer(args, output));
        Assert.Equal(answered, output.ToString().Length > 0);
    }
}
