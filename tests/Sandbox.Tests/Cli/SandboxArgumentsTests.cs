using Platform.Sandbox.Cli;

namespace Platform.Sandbox.Tests.Cli;

public sealed class SandboxArgumentsTests
{
    [Fact]
    public void Parse_NoArguments_UsesTheExamplesAndFourGpus()
    {
        var arguments = SandboxArguments.Parse([]);

        Assert.EndsWith(Path.Combine("examples", "policy.yaml"), arguments.Policy, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("examples", "raycluster-gpu.yaml"), arguments.Manifest, StringComparison.Ordinal);
        Assert.True(File.Exists(arguments.Policy));
        Assert.Equal(4, arguments.Gpus);
        Assert.False(arguments.Json);
        Assert.False(arguments.KeepRunning);
        Assert.Null(arguments.WebhookPort);
    }

    [Fact]
    public void Parse_EveryOption_BothSpellings()
    {
        var arguments = SandboxArguments.Parse(["--policy", "p.yaml", "--manifest=m.yaml", "--gpus", "8", "-o", "json", "--keep-running", "--webhook-port=0"]);

        Assert.Equal(new SandboxArguments("p.yaml", "m.yaml", 8, true, true, 0, false), arguments);
    }

    [Theory]
    [InlineData("--gpus", "17")]
    [InlineData("--gpus", "-1")]
    [InlineData("--webhook-port", "70000")]
    [InlineData("--policy")]
    [InlineData("extra")]
    public void Parse_Invalid_ThrowsNamingTheOption(params string[] args)
    {
        var error = Assert.Throws<FormatException>(() => SandboxArguments.Parse(args));

        Assert.Contains(args[0], error.Message, StringComparison.Ordinal);
    }
}
