namespace Platform.Operations.Tests.Dashboards;

/// <summary>One query of one dashboard panel, with Grafana's variables replaced as "All" and a short range would.</summary>
internal sealed record PanelQuery(string Panel, string RefId, string Expr, string Query);
