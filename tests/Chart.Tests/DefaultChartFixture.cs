namespace Platform.Chart.Tests;

/// <summary>Renders the chart with default values once for all tests of a class.</summary>
public sealed class DefaultChartFixture : IAsyncLifetime
{
    internal RenderedChart Chart { get; private set; } = null!;

    public async Task InitializeAsync() => Chart = await RenderedChart.RenderAsync().WaitAsync(TimeSpan.FromSeconds(90));

    public Task DisposeAsync() => Task.CompletedTask;
}
