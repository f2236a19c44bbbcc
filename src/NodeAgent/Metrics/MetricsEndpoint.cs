namespace Platform.NodeAgent.Metrics;

internal static class MetricsEndpoint
{
    /// <summary>
    /// <c>/metrics</c>: writes the cached page (rendered once per change, see <see cref="MetricsPage"/>);
    /// never calls the driver or the kubelet, and allocates nothing of its own per scrape.
    /// </summary>
    public static void MapGpuMetrics(this IEndpointRouteBuilder endpoints)
    {
        // Resolved now, not per request: the page subscribes to the sampler, so the first samples render it.
        var page = endpoints.ServiceProvider.GetRequiredService<MetricsPage>();
        endpoints.MapGet("/metrics", context =>
        {
            var bytes = page.Current();
            context.Response.ContentType = MetricsWriter.ContentType;
            context.Response.ContentLength = bytes.Length;
            var write = context.Response.BodyWriter.WriteAsync(bytes, context.RequestAborted);
            return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
        });
    }
}
