using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.Webhook.Diagnostics;
using Platform.Webhook.Hosting;
using Platform.Webhook.Policy;
using Platform.Webhook.Tests.Diagnostics;
using Platform.Webhook.Tests.Hosting;

namespace Platform.Webhook.Tests.Policy;

/// <summary>The store's decisions without the watcher: load, refuse, keep, report.</summary>
public sealed class PolicyStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("webhook-policy-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
    private readonly WebhookMetrics _metrics = new();

    private string File => Path.Combine(_directory, "policy.yaml");

    [Fact]
    public void LoadInitial_NoFileConfigured_BuiltInDefault()
    {
        var store = Store(file: null);

        store.LoadInitial();

        Assert.Same(GpuPolicy.Default, store.Current);
        Assert.Empty(store.WatchedFiles);
        Assert.Equal(PolicyStore.BuiltInSource, store.Status.Source);
    }

    [Fact]
    public void LoadInitial_InvalidFile_ThrowsWithEveryErrorAndItsPath()
    {
        System.IO.File.WriteAllText(File, HostTestPolicies.Invalid);
        var store = Store(File);

        var error = Assert.Throws<WebhookStartupException>(store.LoadInitial);

        Assert.Equal(2, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.StartsWith("profiles.a10g.gpus:", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.StartsWith("rules[0].profile:", StringComparison.Ordinal));
        Assert.Contains(File, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadInitial_MissingFile_ThrowsNamingTheFile()
    {
        var store = Store(File);

        var error = Assert.Throws<WebhookStartupException>(store.LoadInitial);

        Assert.Contains(File, Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckForChange_BadThenSameBadThenGood_RefusesOnceThenTakesTheGoodOne()
    {
        System.IO.File.WriteAllText(File, HostTestPolicies.A10g);
        var store = Store(File);
        store.LoadInitial();
        var first = store.Current;
        var attempts = new List<bool>();
        store.ReloadAttempted += (_, taken) => attempts.Add(taken);

        System.IO.File.WriteAllText(File, HostTestPolicies.Invalid);
        _time.Advance(TimeSpan.FromSeconds(1));
        store.CheckForChange();
        store.CheckForChange();

        Assert.Same(first, store.Current);
        Assert.Equal([false], attempts);
        Assert.Equal(2, store.Status.Errors.Count);
        Assert.Equal(_time.GetUtcNow(), store.Status.FailedAt);
        Assert.True(store.Status.Loaded);

        System.IO.File.WriteAllText(File, HostTestPolicies.H100);
        store.CheckForChange();

        Assert.NotSame(first, store.Current);
        Assert.True(store.Current.Profiles.ContainsKey("h100"));
        Assert.Equal([false, true], attempts);
        Assert.Empty(store.Status.Errors);
        var metrics = await Exposition();
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_policy_reloads_total{result=\"failure\"}"));
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_policy_reloads_total{result=\"success\"}"));
        Assert.Equal(1, MetricsText.Value(metrics, "raygpu_webhook_policy_last_reload_success"));
    }

    [Fact]
    public void CheckForChange_SameContentRewritten_NoReload()
    {
        System.IO.File.WriteAllText(File, HostTestPolicies.A10g);
        var store = Store(File);
        store.LoadInitial();
        var attempts = 0;
        store.ReloadAttempted += (_, _) => attempts++;

        System.IO.File.WriteAllText(File, HostTestPolicies.A10g);
        store.CheckForChange();

        Assert.Equal(0, attempts);
    }

    [Fact]
    public void CheckForChange_FileDeleted_LastGoodStaysWithReadError()
    {
        System.IO.File.WriteAllText(File, HostTestPolicies.A10g);
        var store = Store(File);
        store.LoadInitial();
        var first = store.Current;

        System.IO.File.Delete(File);
        store.CheckForChange();

        Assert.Same(first, store.Current);
        Assert.Contains("cannot be read", Assert.Single(store.Status.Errors), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private PolicyStore Store(string? file) =>
        new(Options.Create(new PolicyFileOptions { File = file }), _metrics, NullLogger<PolicyStore>.Instance, _time);

    private async Task<string> Exposition()
    {
        using var stream = new MemoryStream();
        await _metrics.Registry.CollectAndExportAsTextAsync(stream).WaitAsync(TimeSpan.FromSeconds(10));
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
