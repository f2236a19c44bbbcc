using Platform.Operations.Tests.Tools;

namespace Platform.Operations.Tests.Rules;

/// <summary>
/// <c>promtool test rules</c>: input series for every alert and recording rule (the *.test.yml files here),
/// against the rules the chart renders. A file that needs other values than the defaults says so here.
/// </summary>
public class RuleUnitTests
{
    private static readonly Dictionary<string, string[]> ValuesPerFile = new(StringComparer.Ordinal)
    {
        ["recording-rules.test.yml"] = [],
        ["node-agent-alerts.test.yml"] = [],
        ["webhook-alerts.test.yml"] = [],
        ["latency-subsecond.test.yml"] = ["webhook.admission.timeoutSeconds=1"],
        ["remediation-alerts.test.yml"] = [],
    };

    public static TheoryData<string> Files() => [.. ValuesPerFile.Keys];

    [PromtoolTheory]
    [MemberData(nameof(Files))]
    public async Task TestRules_UnitTestFile_Passes(string file)
    {
        using var directory = new TempDirectory("platform-rule-tests-");
        await RenderedRules.WriteAsync(directory.Path, ValuesPerFile[file]);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Rules", file), Path.Combine(directory.Path, file));

        var result = await Promtool.RunAsync(directory.Path, "test", "rules", file);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void UnitTestFiles_AreAllRun()
    {
        var present = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Rules"), "*.test.yml").Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(ValuesPerFile.Keys.Order(StringComparer.Ordinal), present);
    }

    [Fact]
    public async Task EveryRule_HasAUnitTest()
    {
        var (alerts, records) = RenderedRules.Names(await RenderedRules.RenderAsync());
        var tests = string.Concat(ValuesPerFile.Keys.Select(f => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Rules", f))));

        Assert.NotEmpty(alerts);
        Assert.NotEmpty(records);
        Assert.All(alerts, alert => Assert.Contains($"alertname: {alert}\n", tests, StringComparison.Ordinal));
        Assert.All(records, record => Assert.Contains($"expr: {record}\n", tests, StringComparison.Ordinal));
    }
}
